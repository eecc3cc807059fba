// Package relay carries a workspace's operations between venues through a
// NATS JetStream server (github.com/nats-io/nats-server/v2, reached with
// github.com/nats-io/nats.go and its jetstream package), end-to-end
// encrypted: the relay stores and forwards sealed messages under opaque
// names, and can drop or delay them, but cannot read, forge, move, reorder
// or replay them undetected.
//
// It holds:
//
//   - server.go: Start and Serve, an embedded NATS server with JetStream,
//     its store in a directory, every message written to disk before it is
//     acknowledged (SyncAlways, sync_interval: always), optional TLS.
//   - access.go: how one relay keeps workspaces apart: each laptop
//     connects as its workspace's user and signs the relay's nonce with
//     keys only members can make (public keys learnt on first use); it is
//     put in its workspace's own NATS account (registered on every server
//     of a cluster before it is let in), where it may touch only its
//     workspace's subjects, stream (read with direct gets) and inboxes.
//   - registry.go: how the servers of a cluster tell each other of the
//     workspaces they register, and ask for them when they start.
//   - sync.go, upload.go, download.go: Sync, one round of a laptop with a
//     relay (embedded or any NATS server with JetStream): download what the
//     stream holds after this laptop's cursor, then upload what it lacks.
//   - seal.go: names, keys, sealing and opening.
//
// # Names
//
// One stream per workspace, CONSULTA_<H>, where <H> is the first 16 hex
// digits (upper case) of SHA-256(workspace id); one subject per device,
// consulta.<h>.<device> (<h> the same digits in lower case, the device id
// as everywhere: 16 hex digits of a hash of its key). Laptops connect as
// consulta-<h>, into the account of the same name, where the relay makes
// the stream (on another NATS server, the first laptop does) and laptops
// check its configuration: file storage, the relay's Options.Replicas
// (SyncOptions.Replicas elsewhere), nothing expires, clients may neither
// delete nor purge messages, direct gets allowed. The relay sees no workspace id,
// title, name or text, only hashes, device ids, sizes and times.
//
// # Messages
//
// A message carries one operation, the signed canonical CBOR its author
// produced, on its device's subject, with headers
//
//	Consulta-Seq: <the operation's sequence number, decimal>
//	Nats-Msg-Id:  <device>/<seq>
//
// and the payload
//
//	version (1 byte, 1) || key id (8) || nonce (24) || XChaCha20-Poly1305 ciphertext and tag
//
// The key and key id are the 32 + 8 bytes HKDF-SHA256 (RFC 5869, no salt)
// makes of the workspace's join key (the first 16 bytes of its secret)
// with info "consulta relay v1" || workspace id. The associated data is
//
//	"consulta relay v1" 0x00 workspace id 0x00 device 0x00 seq (8 bytes, big-endian)
//
// so a message opens only at the address it was sealed for: moved to
// another subject, given another Consulta-Seq or copied into another
// workspace's stream, it does not open. The nonce is random. A laptop
// seals with its current join key and opens with it or any past one
// (Workspace.Past: a member's removal replaces the join key; a laptop
// that joined after a removal takes the earlier keys from the removals,
// app/epoch.go).
//
// # A round
//
// Download: batched direct gets from the stream sequence after the
// cursor (read a batch ahead of what is being applied), which is kept in the laptop's local settings (relay-cursor/ and
// a hash of the relay URL; with the stream's creation time, so a stream
// made again starts from its beginning). Each message is opened; one that
// does not open, whose operation is not the one its address names, or
// that repeats an earlier sequence number of its subject (replayed or out
// of order) is refused, logged and never applied. The others go to
// app.Service.Receive, device by device, in sequence order, in chunks of
// up to 2,000: exactly the checks a LAN peer's operations get. Operations
// whose earlier ones this laptop lacks wait: the cursor stays before them,
// and the subject is searched from its start for the missing ones (a
// laptop restored from a backup holds less than its cursor says).
//
// Upload: for each device of the laptop's vector, the subject's last
// message (which must open) gives the last operation the stream holds;
// the operations after it are published in order, pipelined (up to 256
// awaiting their acknowledgement), each carrying Nats-Msg-Id. The first of
// a batch expects the subject's last message to be the one just read
// (Nats-Expected-Last-Subject-Sequence); each following one expects the
// stream's last message to be the operation before it
// (Nats-Expected-Last-Msg-Id: <device>/<seq-1>), which the relay checks as
// it stores the connection's messages in order. So a message is stored
// only right after its predecessor, and two laptops uploading one
// device's operations can neither duplicate nor reorder them: once a
// message is refused (another laptop published meanwhile, on any subject)
// or not acknowledged, the batch's acknowledgements are collected, the
// subject's last is read again and a new batch continues after it. An
// interrupted upload resumes the same way. When the round's own messages
// are all that follow the cursor, the cursor skips them.
package relay
