// Package replication keeps the laptops of a workspace in step: it listens
// for peers, dials the ones it knows (given by address, remembered from
// earlier syncs, or found by package discovery), and exchanges operations
// with each over an authenticated channel (package transport) speaking the
// wire protocol (package protocol).
//
// With each peer, each side sends its version vector, then what the
// other's vector lacks: device by device, in chunks read from the store
// with app.Service.EachOpAfter straight into the message being sent
// (protocol.OpsBody), round-robin across devices. The receiver checks
// every chunk (one device, consecutive sequence numbers, no gap before what
// it holds, nothing the same peer already sent) and hands it to
// app.Service.Receive, which verifies encodings, workspace, taxonomy values
// and signatures and stores all of the chunk or none of it. Whenever its
// store changes, by a person's writing or by a peer's operations, each side
// sends its new vector and any operations its peers lack, so new work
// reaches connected peers within moments, and what A gave B reaches C.
// Vectors make resuming natural: after an interruption the next connection
// starts from what each side holds.
//
// A peer that breaks the protocol or sends a bad operation is told why and
// disconnected, the reason is logged, nothing it sent in that chunk is
// stored, and the other connections carry on.
//
//	r, err := replication.New(svc, replication.Options{Listen: ":24040", Discovery: true})
//	go r.Serve(ctx) // until ctx is cancelled
//
//	// or, to sync with some peers and stop when nothing is left to exchange:
//	err = r.SyncOnce(ctx, []string{"192.168.1.20:24040"})
package replication
