def log = new File(basedir, 'build.log').text
assert log.contains('No tuning target configured. Set <target> (or -Dautobatch.target) to a class implementing dev.autobatch.autotune.TuningTarget.')
assert log.contains('BUILD FAILURE')
assert !new File(basedir, 'target/autobatch').exists()
return true
