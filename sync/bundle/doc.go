// Package bundle carries operations between laptops of one workspace in a
// file, for a USB stick where there is no network: Write puts in a bundle
// the operations another laptop lacks (or all), Import applies one. A
// bundle is the signed operations their authors wrote, each sealed on its
// own, so that the file reveals nothing but opaque device ids and counts.
//
// Import applies a bundle any number of times, in any order, from any
// laptop of the workspace: each device's operations are handed to
// app.Service.Receive in sequence order from what this laptop holds (the
// same checks as a LAN peer's operations: encoding, workspace, values,
// hash chains, signatures, roles), skipping those already held. A device
// whose earlier operations this laptop lacks waits for a bundle that holds
// them. The whole file is verified before anything is applied: a bundle of
// another workspace, one sealed with a key this laptop never had, and a
// damaged, truncated or reordered one write nothing.
//
// # Keys
//
// The bundle key is HKDF-SHA256 of the join key (the first 16 bytes of the
// workspace secret, as invitations carry it) with info
// "consulta bundle v1\x00" followed by the workspace id: 40 bytes, of which
// the first 32 are the XChaCha20-Poly1305 key and the last 8 the key id
// the header names it by. A bundle is sealed with the current key; a
// laptop opens it with its current key or any past one (Workspace().Past,
// kept after a removal changed the key). A bundle that opens only with a
// past key must be signed by a laptop this one knows and that was not
// removed, as a LAN peer with an older key must prove it is one.
//
// # Format
//
// All integers are big-endian.
//
//	header   magic "CNSLBNDL" (8) | version 1 (1) | workspace id (26, ASCII)
//	         | key epoch (8) | key id (8) | count of frames (8)
//	         | first 4 bytes of the SHA-256 of the 59 bytes before
//	frame    device id length (1) | device id | sequence number (8)
//	         | sealed length (4) | nonce (24) | sealed operation
//	trailer  sealed length (4) | nonce (24) | sealed summary
//
// Frames come device by device, each device's operations consecutive and
// in sequence order. A frame's operation is sealed with a random nonce and,
// as associated data, the workspace id, a zero byte, the device id, a zero
// byte and the sequence number: a frame moved to another address does not
// open. The summary is the SHA-256 of the header and every frame as
// written (32), the count of frames (8), the writer's Ed25519 signature of
// "consulta bundle v1\x00" followed by that hash (app.Service.ProveDevice,
// 64) and the writer's device id, sealed with "consulta bundle trailer\x00"
// followed by the header as associated data: frames dropped, added,
// altered or reordered, and a file cut short, do not verify. Nothing
// follows the trailer.
//
// A vector file (WriteVector, ReadVector) says what a laptop holds: a JSON
// object of device id to the highest sequence number held. Write takes one
// to put in a bundle only what that laptop lacks.
package bundle
