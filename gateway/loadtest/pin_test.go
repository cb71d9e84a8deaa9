package loadtest

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The CPUs are split in two halves; a process started pinned runs on the
// target's, the harness's threads move to its own and back.
func TestPinning(t *testing.T) {
	pin, err := SplitCPUs()
	if err != nil {
		t.Skipf("no pinning here: %v", err)
	}
	if len(pin.Target) == 0 || len(pin.Harness) < len(pin.Target) {
		t.Fatalf("split %v", pin)
	}
	for _, c := range pin.Target {
		for _, h := range pin.Harness {
			if c == h {
				t.Fatalf("CPU %d is both the target's and the harness's: %v", c, pin)
			}
		}
	}

	cmd := pinnedCommand(pin.Target, "sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	want := cpuList(pin.Target)
	deadline := time.Now().Add(5 * time.Second)
	for {
		// taskset sets the CPUs, then execs sleep in the same process.
		status, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
		if err != nil {
			t.Fatal(err)
		}
		if allowed := statusField(string(status), "Cpus_allowed_list"); allowed == want && statusField(string(status), "Name") == "sleep" {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the pinned child runs on CPUs %q (%s), want %q", allowed, statusField(string(status), "Name"), want)
		}
		time.Sleep(10 * time.Millisecond)
	}

	var before unix.CPUSet
	if err := unix.SchedGetaffinity(0, &before); err != nil {
		t.Fatal(err)
	}
	restore, err := pinSelf(pin.Harness)
	if err != nil {
		t.Fatal(err)
	}
	if got := runtime.GOMAXPROCS(0); got != len(pin.Harness) {
		t.Errorf("GOMAXPROCS %d pinned, want %d", got, len(pin.Harness))
	}
	tids, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tids {
		tid, _ := strconv.Atoi(e.Name())
		var set unix.CPUSet
		if unix.SchedGetaffinity(tid, &set) != nil {
			continue // gone
		}
		if set.Count() != len(pin.Harness) || !set.IsSet(pin.Harness[0]) {
			t.Errorf("thread %d runs on %d CPUs, want the harness's %v", tid, set.Count(), pin.Harness)
		}
	}
	restore()
	var after unix.CPUSet
	if err := unix.SchedGetaffinity(0, &after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("CPUs not restored: %d, were %d", after.Count(), before.Count())
	}
}

func statusField(status, name string) string {
	for line := range strings.SplitSeq(status, "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
