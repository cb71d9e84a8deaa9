package owners

import (
	"net/http"
	"testing"
)

type testOwner struct{ client *http.Client }

func newTestOwner() *testOwner { return &testOwner{client: &http.Client{Transport: &http.Transport{}}} }

func TestNothing(t *testing.T) { _ = newTestOwner() }

// A pool created in a test file for a type of the package: not reported.
func newModerator() *Moderator { return &Moderator{client: &http.Client{Transport: &http.Transport{}}} }
