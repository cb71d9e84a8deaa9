package fixverify

import "golang.org/x/tools/go/analysis"

// SetDisabled turns verification off (or back on) and returns the old
// setting: the tests compare what an analyzer offers with and without it.
func SetDisabled(off bool) bool {
	old := disabled
	disabled = off
	return old
}

// Verify reports whether fix would be kept, and an error when it could
// not be checked at all (and would be kept unverified).
func Verify(pass *analysis.Pass, fix analysis.SuggestedFix) (why string, err error) {
	return newVerifier(pass).verify(fix)
}
