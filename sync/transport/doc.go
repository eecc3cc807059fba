// Package transport makes the private, mutually authenticated channel two
// laptops of one workspace talk over: TCP, TLS 1.3 from the standard
// library, and the workspace secret bound to that very channel.
//
// Each laptop has its own Ed25519 key and presents a self-signed
// certificate for it; either side accepts any such certificate, because
// what makes a peer trustworthy is not its key but its knowledge of the
// workspace secret (the join code). Once TLS is up, and after the protocol
// hello (magic and version, package protocol), each side sends
//
//	HMAC-SHA256(key = join key,
//	            "consulta auth v1" || role || workspace id || exporter)
//
// where exporter is 32 bytes of the TLS exporter (RFC 8446 section 7.5)
// with the label "EXPORTER-consulta-auth", role is "client" or "server", and
// the join key is the first JoinKeySize bytes of the workspace secret. The
// exporter is unique to this TLS session, so a MAC is worthless anywhere
// else: it cannot be replayed, relayed by a man in the middle (whose two
// sessions have different exporters), or reflected (the roles differ).
// Each side checks the other's MAC before sending anything else; a peer
// without the secret is refused with ErrNotMember, having learnt only the
// protocol version and this laptop's certificate.
//
// Use Config.Client on a connection you dialled and Config.Server on one you
// accepted; both return a *Conn ready for protocol messages.
package transport
