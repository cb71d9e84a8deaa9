package loadtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Pinning splits the machine's CPUs between the system under test (the
// target and its upstream) and the harness, so that an overload run
// measures the target beyond its capacity and not the generator sharing
// its cores: on 2 cores the target and its upstream get CPU 0, the
// harness CPU 1. The saturation rate an overload is a multiple of is
// measured in the same configuration.
type Pinning struct {
	Target  []int // CPUs of the target's processes (gateway, upstream)
	Harness []int // CPUs of the harness
}

// String is "target CPUs 0, harness CPUs 1".
func (p *Pinning) String() string {
	if p == nil {
		return "not pinned"
	}
	return "target CPUs " + cpuList(p.Target) + ", harness CPUs " + cpuList(p.Harness)
}

// SplitCPUs divides the CPUs this process may run on: the first half for
// the target, the rest for the harness. It needs two CPUs and taskset
// (util-linux), which starts the target's processes on theirs.
func SplitCPUs() (*Pinning, error) {
	if runtime.GOOS != "linux" {
		return nil, errors.New("CPU pinning: Linux only")
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return nil, fmt.Errorf("CPU pinning needs taskset (util-linux): %w", err)
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("CPU pinning: %w", err)
	}
	var cpus []int
	for c := range 1024 {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	if len(cpus) < 2 {
		return nil, fmt.Errorf("CPU pinning needs 2 CPUs, this process may use %d", len(cpus))
	}
	half := len(cpus) / 2
	return &Pinning{Target: cpus[:half], Harness: cpus[half:]}, nil
}

func cpuList(cpus []int) string {
	s := make([]string, len(cpus))
	for i, c := range cpus {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ",")
}

// pinnedCommand is bin with args, started on cpus by taskset (which execs
// it: the process is bin, and every thread it makes inherits the set).
func pinnedCommand(cpus []int, bin string, args ...string) *exec.Cmd {
	if len(cpus) == 0 {
		return exec.Command(bin, args...)
	}
	return exec.Command("taskset", append([]string{"-c", cpuList(cpus), bin}, args...)...)
}

// pinSelf moves every thread of the harness onto cpus (threads made later
// inherit it from the thread that makes them) and sets GOMAXPROCS to
// match; restore puts back the CPUs and the default GOMAXPROCS.
func pinSelf(cpus []int) (restore func(), err error) {
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, err
	}
	for _, c := range cpus {
		set.Set(c)
	}
	apply := func(s *unix.CPUSet) error {
		// Threads can appear while the list is walked: walk until a pass
		// finds none it had not pinned.
		done := map[int]bool{}
		for range 10 {
			tids, err := os.ReadDir("/proc/self/task")
			if err != nil {
				return err
			}
			fresh := false
			for _, e := range tids {
				tid, err := strconv.Atoi(e.Name())
				if err != nil || done[tid] {
					continue
				}
				if err := unix.SchedSetaffinity(tid, s); err != nil && !errors.Is(err, unix.ESRCH) {
					return err
				}
				done[tid], fresh = true, true
			}
			if !fresh {
				return nil
			}
		}
		return nil
	}
	if err := apply(&set); err != nil {
		_ = apply(&old)
		return nil, fmt.Errorf("pinning the harness to CPUs %s: %w", cpuList(cpus), err)
	}
	runtime.GOMAXPROCS(len(cpus))
	return func() {
		_ = apply(&old)
		runtime.SetDefaultGOMAXPROCS()
	}, nil
}
