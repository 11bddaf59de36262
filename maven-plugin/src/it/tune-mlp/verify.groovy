// Invocation 1 tuned the MLP in a forked JVM, wrote the results, and a later plugin of the same
// build used the size; invocation 2 tuned it again inside Maven's JVM.
def readBatchSize(File dir) {
    def props = new Properties()
    new File(dir, 'batch-size.properties').withInputStream { props.load(it) }
    int size = props.getProperty('autobatch.batchSize') as int
    assert size >= 2 && size <= 64 : "batch size ${size} outside [2, 64]"
    assert props.getProperty('autobatch.goal') == 'BALANCED'
    assert props.getProperty('autobatch.stopReason')
    ['report.json', 'report.md', 'chart.png', 'chart.svg'].each {
        assert new File(dir, it).isFile() : "missing report file ${it} in ${dir}"
    }
    return size
}

int forked = readBatchSize(new File(basedir, 'target/autobatch'))
def filtered = new File(basedir, 'target/training/training.properties').text
assert filtered.contains("batchSize=${forked}") : filtered

int inProcess = readBatchSize(new File(basedir, 'target/autobatch-in-process'))
assert !new File(basedir, 'target/autobatch-in-process/fork.args').exists()

def log = new File(basedir, 'build.log').text
assert log.count('Tuning in a forked JVM') == 1
assert log.count('Tuning com.example.MlpTarget: goal BALANCED') == 2
// Progress, the budget and the result's table reach the log once a tuning, forked or not.
assert log.count('batch size 2: ') == 2
assert log.count('Memory budget: ') == 2
assert log.count('Tuning done:') == 2
assert log =~ /(?m)->\s+${forked}\s/ : 'the table marks the chosen size'
assert log.contains("Set the project property autobatch.batchSize=${forked}; the report is in")
assert log.contains("Set the project property autobatch.batchSize=${inProcess}; the report is in")
assert !log.contains('SLF4J') : 'the fork complained about logging'
// The target's TrainMnist configuration: none of its listeners ran, so no checkpoint was written.
def checkpoints = new File(basedir, 'target/checkpoints')
assert !checkpoints.exists() || checkpoints.list().length == 0 : "tuning wrote ${checkpoints.list()}"
return true
