// Package knowledge is what churnlint knows about the libraries and
// frameworks it reads, as data: which calls make a connection pool, which
// methods a framework calls once per request, how hosts bring components
// up and shut them down, which names release a pool. Each entry says whose
// convention it is, so that a reader can check it and a user can tell
// what to add (with the flags) for a framework that is not here.
//
// The analysis code in lifetime, clientchurn and clientshutdown reads
// these tables and holds no names of its own.
package knowledge
