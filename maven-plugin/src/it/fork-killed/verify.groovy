def log = new File(basedir, 'build.log').text
assert log.contains("The forked tuning JVM was killed (exit 137, SIGKILL), most likely by the kernel's out-of-memory killer")
assert log.contains('lower autobatch.memoryBudget')
// Maven itself survived the kill and reported it.
assert log.contains('BUILD FAILURE')
assert !new File(basedir, 'target/autobatch/batch-size.properties').exists()
return true
