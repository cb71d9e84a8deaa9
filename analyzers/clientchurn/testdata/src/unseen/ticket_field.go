package unseen

import (
	"encoding/json"
	mathrand "math/rand"
	"net/http"
)

const letters = "abcdefghijklmnopqrstuvwxyz"

func randString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[mathrand.Intn(len(letters))]
	}
	return string(b)
}

type apiTicket struct {
	Ticket   string
	Username string
}

type ticketEntry struct {
	Client *http.Client
	Expire int64
}

type tproxy struct {
	auth    map[string]ticketEntry
	clients map[string]*http.Client
}

// Ticket answers each login with a new random ticket in a struct and
// keeps a new client under it (pmoxs3backuproxy's /access/ticket): the map
// only grows, one pool per login.
func (s *tproxy) Ticket(w http.ResponseWriter, r *http.Request) {
	ticket := apiTicket{Ticket: randString(64), Username: r.FormValue("username")}
	te := ticketEntry{Expire: 3600}
	te.Client = &http.Client{Transport: &http.Transport{}} // want `tproxy.Ticket creates a new HTTP transport per call under a map key new each call`
	s.auth[ticket.Ticket] = te
	_ = json.NewEncoder(w).Encode(ticket)
}

func (s *tproxy) Direct(w http.ResponseWriter, r *http.Request) {
	ticket := apiTicket{Ticket: randString(64), Username: r.FormValue("username")}
	c := &http.Client{Transport: &http.Transport{}} // want `tproxy.Direct creates a new HTTP transport per call under a map key new each call`
	s.clients[ticket.Ticket] = c
	_ = json.NewEncoder(w).Encode(ticket)
}
