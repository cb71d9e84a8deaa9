package unseen

import (
	"net/http"
	"sync"
	"time"

	"github.com/avast/retry-go"
)

// StatsPoller polls a beacon node on every tick; each attempt, run by a
// retry helper, builds a client with its own transport (eth2stats).
type StatsPoller struct{ url string }

func (p *StatsPoller) Run() {
	for range time.Tick(time.Second) {
		p.poll()
	}
}

func (p *StatsPoller) poll() {
	retry.Do(func() error {
		c := &http.Client{Transport: &http.Transport{}} // want `StatsPoller.poll.func1 creates a new HTTP transport per call and drops it`
		resp, err := c.Get(p.url)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
}

var warmOnce sync.Once

// Warm runs its literal once per process, however often it is called.
func (p *StatsPoller) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	warmOnce.Do(func() {
		c := &http.Client{Transport: &http.Transport{}}
		if resp, err := c.Get(p.url); err == nil {
			resp.Body.Close()
		}
	})
}
