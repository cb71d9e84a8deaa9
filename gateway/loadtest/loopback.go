package loadtest

import (
	"fmt"
	"net"
	"net/url"
)

// CheckLoopbackURL returns an error unless raw is an http URL whose host is
// a loopback address (127.0.0.0/8 or ::1) or "localhost". The load test
// never sends traffic anywhere else.
func CheckLoopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return fmt.Errorf("%q: only http:// URLs on the loopback interface are allowed", raw)
	}
	if err := checkLoopbackHost(u.Hostname()); err != nil {
		return fmt.Errorf("%q: %w", raw, err)
	}
	return nil
}

// CheckLoopbackAddr is CheckLoopbackURL for a host:port address.
func CheckLoopbackAddr(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("%q: %w", hostport, err)
	}
	if err := checkLoopbackHost(host); err != nil {
		return fmt.Errorf("%q: %w", hostport, err)
	}
	return nil
}

func checkLoopbackHost(host string) error {
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return fmt.Errorf("host %q is not a loopback IP address (use 127.0.0.1, [::1] or localhost)", host)
	}
	if !ip.IsLoopback() {
		return fmt.Errorf("host %s is not a loopback address: the load test only targets 127.0.0.0/8 and ::1", ip)
	}
	return nil
}
