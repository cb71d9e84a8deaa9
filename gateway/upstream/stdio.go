package upstream

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/client/transport"
	"golang.org/x/time/rate"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
)

// Bounds on what a stdio upstream can push into the gateway's log.
const (
	// StderrMaxLine is the longest stderr line logged; the rest of a
	// longer line is cut.
	StderrMaxLine = 4096
	// StderrLinesPerSecond and StderrBurst rate-limit stderr lines per
	// process; the excess is dropped and counted.
	StderrLinesPerSecond = 100
	StderrBurst          = 200
	// stderrDrainWait is how long stop waits for the last stderr lines of
	// a killed process group before it closes the pipe.
	stderrDrainWait = time.Second
)

// childProcess is one run of a stdio upstream's command: the exec.Cmd that
// mcp-go's stdio transport starts (and waits for), in its own process
// group, with its stderr on a pipe the gateway reads line by line.
type childProcess struct {
	cfg     config.Upstream
	logger  *slog.Logger
	metrics *metrics.Metrics
	// exited is called when the child's stderr ends, which normally means
	// that every process of the group has exited.
	exited func()

	mu         sync.Mutex
	cmd        *exec.Cmd
	stderrR    *os.File
	stderrW    *os.File
	readerDone chan struct{}
	stopping   bool
	exitSeen   bool // the exit the gateway did not ask for was reported
}

// newStdioTransport returns an mcp-go stdio transport whose command is
// built by the returned childProcess.
func (s *Session) newStdioTransport(exited func()) (*transport.Stdio, *childProcess) {
	child := &childProcess{cfg: s.cfg, logger: s.logger, metrics: s.metrics, exited: exited}
	tr := transport.NewStdioWithOptions(s.cfg.Command, s.cfg.EnvList(), s.cfg.Args,
		transport.WithCommandFunc(child.command),
		transport.WithCommandLogger(s.logger),
	)
	return tr, child
}

// command is the transport's CommandFunc. The process does not get a
// context: its lifetime is the transport's (closing stdin, then SIGTERM,
// then SIGKILL in Close) and then stop's, which kills the group.
func (c *childProcess) command(_ context.Context, command string, env, args []string) (*exec.Cmd, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("stderr pipe: %w", err)
	}
	cmd := exec.Command(command, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = c.cfg.Dir
	// An *os.File is handed to the child as is: no copying goroutine in
	// exec, and the pipe reports EOF only when the last process of the
	// group that holds it has exited.
	cmd.Stderr = w
	setProcessGroup(cmd)
	c.mu.Lock()
	c.cmd, c.stderrR, c.stderrW = cmd, r, w
	c.mu.Unlock()
	return cmd, nil
}

// started runs after the transport started the command: the parent's copy
// of the write end is closed (so EOF means the children are gone) and the
// stderr reader begins.
func (c *childProcess) started() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	c.metrics.ProcessStarts.WithLabelValues(c.cfg.Name).Inc()
	c.logger.Info("stdio upstream process started", "pid", c.cmd.Process.Pid, "command", c.cfg.Command)
	_ = c.stderrW.Close()
	c.stderrW = nil
	c.readerDone = make(chan struct{})
	go c.readStderr(c.stderrR, c.readerDone)
}

// readStderr logs the child's stderr one line per record, each line cut at
// StderrMaxLine and the rate bounded, until the pipe ends.
func (c *childProcess) readStderr(r *os.File, done chan struct{}) {
	defer close(done)
	limit := rate.NewLimiter(StderrLinesPerSecond, StderrBurst)
	lines := c.metrics.StderrLines.WithLabelValues(c.cfg.Name)
	dropped := c.metrics.StderrDropped.WithLabelValues(c.cfg.Name)
	var droppedSinceLog int
	br := bufio.NewReaderSize(r, StderrMaxLine)
	for {
		line, err := br.ReadSlice('\n')
		truncated := errors.Is(err, bufio.ErrBufferFull)
		if len(line) > 0 {
			if limit.Allow() {
				if droppedSinceLog > 0 {
					c.logger.Warn("stdio upstream stderr lines dropped (rate limit)", "lines", droppedSinceLog)
					droppedSinceLog = 0
				}
				c.logger.Info("stdio upstream stderr", "line", string(bytes.TrimRight(line, "\r\n")), "truncated", truncated)
				lines.Inc()
			} else {
				droppedSinceLog++
				dropped.Inc()
			}
		}
		if truncated {
			// Skip the rest of the long line.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
	}
	c.mu.Lock()
	report := !c.stopping && !c.exitSeen
	c.exitSeen = c.exitSeen || report
	c.mu.Unlock()
	if report {
		c.reportExit()
	}
}

func (c *childProcess) reportExit() {
	c.metrics.ProcessExits.WithLabelValues(c.cfg.Name).Inc()
	c.logger.Warn("stdio upstream process exited")
	if c.exited != nil {
		c.exited()
	}
}

// beginStop runs before the transport closes the child. A leader that has
// exited already (the session noticed the loss on stdout before stderr
// ended) is reported as an exit the gateway did not ask for.
func (c *childProcess) beginStop() {
	c.mu.Lock()
	c.stopping = true
	report := false
	if c.cmd != nil && c.cmd.Process != nil && !c.exitSeen && exitedUnreaped(c.cmd.Process.Pid) {
		c.exitSeen, report = true, true
	}
	c.mu.Unlock()
	if report {
		c.reportExit()
	}
}

// stop runs after the transport's Close (which reaped the group leader):
// whatever is left of the process group is killed, then the stderr pipe
// is drained and closed. Safe to call more than once and without start.
func (c *childProcess) stop() {
	c.mu.Lock()
	c.stopping = true
	cmd, r, w, done := c.cmd, c.stderrR, c.stderrW, c.readerDone
	c.stderrR, c.stderrW = nil, nil
	c.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		killProcessGroup(cmd.Process.Pid)
	}
	if w != nil {
		_ = w.Close()
	}
	if done != nil {
		t := time.NewTimer(stderrDrainWait)
		select {
		case <-done:
		case <-t.C:
			// A process outside the group still holds the pipe.
		}
		t.Stop()
	}
	if r != nil {
		_ = r.Close()
	}
	if done != nil {
		<-done
	}
}

// processGone reports errors that mean the stdio process can no longer
// answer: the transport saw its stdout end, or its stdin is broken.
func processGone(err error) bool {
	return errors.Is(err, transport.ErrTransportClosed) || errors.Is(err, syscall.EPIPE)
}

// pid is the child's process id, 0 before it started.
func (c *childProcess) pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil || c.cmd.Process == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

// ProcessID is the pid of a stdio upstream's current process (the leader
// of its process group), or 0 when none runs or the upstream is not stdio.
func (s *Session) ProcessID() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.conn == nil || s.conn.child == nil {
		return 0
	}
	return s.conn.child.pid()
}
