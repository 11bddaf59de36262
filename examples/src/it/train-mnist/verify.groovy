// The user's tests ran (none skipped) and passed; tuning wrote no checkpoint of its own.
def log = new File(basedir, 'build.log').text
assert log =~ /Tests run: 2, Failures: 0, Errors: 0, Skipped: 0/ : 'the user project ran both of its tests'
return true
