package loadtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/procfs"
)

// procRoot is where the proc filesystem is mounted; tests replace it.
var procRoot = "/proc"

// readProc reads one file of process pid through
// github.com/prometheus/procfs, which parses /proc/PID/status,
// /proc/PID/stat and /proc/PID/fd for the harness.
func readProc[T any](pid int, read func(procfs.Proc) (T, error)) (T, error) {
	var zero T
	fs, err := procfs.NewFS(procRoot)
	if err != nil {
		return zero, err
	}
	p, err := fs.Proc(pid)
	if err != nil {
		return zero, err
	}
	return read(p)
}

// ReadRSS returns the resident set size of process pid in bytes
// (VmRSS of /proc/PID/status).
func ReadRSS(pid int) (int64, error) {
	st, err := readProc(pid, procfs.Proc.NewStatus)
	if err != nil {
		return 0, err
	}
	if st.VmRSS == 0 {
		return 0, errors.New("no VmRSS in status (is the process a zombie?)")
	}
	return int64(st.VmRSS), nil
}

// clockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat: 100
// on every Linux architecture Go supports.
const clockTicks = 100

// ReadCPU returns the CPU time (user + system) process pid has used, from
// /proc/PID/stat.
func ReadCPU(pid int) (time.Duration, error) {
	st, err := readProc(pid, procfs.Proc.Stat)
	if err != nil {
		return 0, err
	}
	return time.Duration(st.UTime+st.STime) * time.Second / clockTicks, nil
}

// CountFDs returns the number of open file descriptors of process pid.
func CountFDs(pid int) (int, error) {
	return readProc(pid, procfs.Proc.FileDescriptorsLen)
}

// TCP socket states in /proc/net/tcp.
const (
	tcpEstablished = 0x01
	tcpTimeWait    = 0x06
)

// TCPCount is a count of the TCP sockets that talk to one port.
type TCPCount struct {
	// Established counts ESTABLISHED client sockets whose remote port is
	// the port (the connections clients hold to that server).
	Established int
	// TimeWait counts TIME_WAIT sockets with the port at either end.
	TimeWait int
	// ClientPorts are the local ports of the Established sockets.
	ClientPorts []int
}

// CountTCP counts the sockets of /proc/net/tcp and /proc/net/tcp6 (this
// network namespace, every process) that talk to port. procfs reads these
// tables too, but its NetTCP is deprecated (for netlink); the table is a
// header and one socket per line, read here.
func CountTCP(port int) (TCPCount, error) {
	var c TCPCount
	found := false
	for _, name := range []string{"tcp", "tcp6"} {
		data, err := os.ReadFile(procRoot + "/net/" + name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return c, err
		}
		found = true
		if err := countTCP(data, port, &c); err != nil {
			return c, fmt.Errorf("/proc/net/%s: %w", name, err)
		}
	}
	if !found {
		return c, errors.New("no /proc/net/tcp")
	}
	return c, nil
}

// countTCP parses one /proc/net/tcp{,6} table:
//
//	sl  local_address rem_address   st ...
//	 0: 0100007F:1F90 0100007F:C350 01 ...
func countTCP(table []byte, port int, c *TCPCount) error {
	lines := bytes.Split(table, []byte{'\n'})
	for i, line := range lines {
		if i == 0 {
			continue // header
		}
		f := bytes.Fields(line)
		if len(f) < 4 {
			continue
		}
		local, err1 := hexPort(f[1])
		remote, err2 := hexPort(f[2])
		state, err3 := strconv.ParseUint(string(f[3]), 16, 8)
		if err := errors.Join(err1, err2, err3); err != nil {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
		switch state {
		case tcpEstablished:
			if remote == port {
				c.Established++
				c.ClientPorts = append(c.ClientPorts, local)
			}
		case tcpTimeWait:
			if remote == port || local == port {
				c.TimeWait++
			}
		}
	}
	return nil
}

// hexPort extracts the port from "ADDR:PORT" with both in hex.
func hexPort(addr []byte) (int, error) {
	i := bytes.LastIndexByte(addr, ':')
	if i < 0 {
		return 0, fmt.Errorf("bad address %q", addr)
	}
	p, err := strconv.ParseUint(string(addr[i+1:]), 16, 16)
	if err != nil {
		return 0, fmt.Errorf("bad port in %q: %w", addr, err)
	}
	return int(p), nil
}
