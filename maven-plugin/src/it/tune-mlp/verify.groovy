// The build tuned the MLP in a forked JVM, wrote the results, and a later plugin used the size.
def out = new File(basedir, 'target/autobatch')
def props = new Properties()
new File(out, 'batch-size.properties').withInputStream { props.load(it) }
int size = props.getProperty('autobatch.batchSize') as int
assert size >= 2 && size <= 64 : "batch size ${size} outside [2, 64]"
assert props.getProperty('autobatch.goal') == 'THROUGHPUT'
assert props.getProperty('autobatch.stopReason')

['report.json', 'report.md', 'chart.png', 'chart.svg'].each {
    assert new File(out, it).isFile() : "missing report file ${it}"
}

def filtered = new File(basedir, 'target/training/training.properties').text
assert filtered.contains("batchSize=${size}") : filtered

def log = new File(basedir, 'build.log').text
assert log.contains('Tuning in a forked JVM')
assert log.contains('Batch size 2: ')
assert log.contains("Set the project property autobatch.batchSize=${size};")
assert log.contains("Training with batch size ${size}")
assert !log.contains('SLF4J') : 'the fork complained about logging'
return true
