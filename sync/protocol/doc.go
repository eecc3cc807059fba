// Package protocol is Consulta's wire protocol between two laptops of one
// workspace: the hello, the frames and the messages, with a decoder that
// bounds everything an untrusted peer can make it allocate.
//
// A connection is a TLS 1.3 channel (package transport); everything below
// travels inside it. Nothing of this protocol is ever sent in plaintext.
//
// # Hello
//
// Each side first writes eight bytes and reads the other's:
//
//	magic   uint32  0x434E534C ("CNSL"), big-endian
//	version uint16  Version, big-endian
//	flags   uint16  zero
//
// Bytes that do not start with the magic are ErrBadMagic. A peer on another
// version gets a *VersionError on both sides, naming both versions, and the
// connection ends: the hello is the only thing that is compatible across
// versions. The hello is all an unauthenticated peer ever learns.
//
// # Frames
//
// After the hello, each side writes frames:
//
//	length  uint32  big-endian, 1..MaxFrame, the length of what follows
//	type    uint8   the message type
//	body    []byte  the message, in canonical CBOR (RFC 8949 core
//	                deterministic encoding), length-1 bytes
//
// A length of zero or above MaxFrame is ErrFrameSize, before anything is
// allocated; a frame cut short is io.ErrUnexpectedEOF. Bodies decode with
// limits (nesting, array and map sizes, no indefinite lengths, no tags, no
// duplicate or unknown keys): a body that breaks them, or an unknown type,
// is ErrMalformed.
//
// # Messages
//
//	Auth    the proof of holding the workspace secret: an HMAC-SHA256, keyed
//	        by the secret, over the TLS exporter of this very channel, the
//	        sender's role and the workspace id (see package transport). It is
//	        the first frame each way; nothing else is sent before both sides
//	        have checked the other's.
//	Info    who the peer is: device id, device name, workspace title, the
//	        port it listens on, and its wall clock (Unix milliseconds, as
//	        it sends; protocol version 3). Once, right after Auth. The
//	        time travels here, after Auth, not in the hello, so that a
//	        stranger does not learn it.
//	Vector  the peer's version vector: for each device, the highest
//	        sequence number up to which it holds every operation. Sent at
//	        the start and whenever the sender's store changes.
//	Ops     operations of one device with consecutive sequence numbers, each
//	        in the canonical CBOR its author signed, at most MaxOps of them;
//	        sent as OpsZ (type 7), the same body compressed with S2, when
//	        that is smaller (protocol version 2)
//	        and well under MaxFrame bytes.
//	Ping    keeps an idle connection alive; a peer silent for three ping
//	        intervals is gone. It carries the sender's wall clock again,
//	        as Info does (version 3).
//	Close   the reason the sender is about to close the connection.
//
// Replication (package replication) is built on these: each side tells the
// other its vector, and each sends what the other's vector lacks, device by
// device, in chunks. Applying is idempotent and the vectors say where to
// resume, so an interrupted sync simply starts again where it stopped.
//
// Wire types live here and are converted to the core's types at the edge;
// this package imports nothing of Consulta.
package protocol
