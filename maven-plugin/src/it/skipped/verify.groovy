def log = new File(basedir, 'build.log').text
assert log.contains('Skipping AutoBatch tuning: autobatch.skip is true.')
assert log.contains('BUILD SUCCESS')
assert !new File(basedir, 'target/autobatch').exists()
return true
