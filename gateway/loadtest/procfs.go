package loadtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// procRoot is where the proc filesystem is mounted; tests replace it.
var procRoot = "/proc"

// ReadRSS returns the resident set size of process pid in bytes, from
// /proc/PID/status (VmRSS).
func ReadRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("%s/%d/status", procRoot, pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(data)
}

func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, err
		}
		return kb * 1024, nil
	}
	return 0, errors.New("no VmRSS in status (is the process a zombie?)")
}

// clockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat: 100
// on every Linux architecture Go supports.
const clockTicks = 100

// ReadCPU returns the CPU time (user + system) process pid has used, from
// /proc/PID/stat.
func ReadCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("%s/%d/stat", procRoot, pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(data)
}

func parseStatCPU(stat []byte) (time.Duration, error) {
	// The command name (field 2) is in parentheses and may contain
	// anything; fields 14 and 15 (utime, stime) follow its last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("malformed stat")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// CountFDs returns the number of open file descriptors of process pid.
func CountFDs(pid int) (int, error) {
	entries, err := os.ReadDir(fmt.Sprintf("%s/%d/fd", procRoot, pid))
	if err != nil {
		return 0, err
	}
	return len(entries), nil
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
// network namespace, every process) that talk to port.
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
