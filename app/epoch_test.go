package app

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"
)

var testTime = time.Date(2024, 12, 10, 9, 0, 0, 0, time.UTC)

// TestX25519FromEd25519: the X25519 key an Ed25519 public key converts
// to is that of the X25519 private key its seed gives, so that a join key
// sealed to a laptop's public key opens with its private key only.
func TestX25519FromEd25519(t *testing.T) {
	for range 20 {
		pub, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		x, err := x25519Public(pub)
		if err != nil {
			t.Fatal(err)
		}
		xp, _, err := x25519Private(key)
		if err != nil {
			t.Fatal(err)
		}
		if *x != *xp {
			t.Fatalf("converted %x, derived %x", x, xp)
		}
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	secret := bytes.Repeat([]byte{7}, 32)
	keys, err := sealKey(secret, map[DeviceID]ed25519.PublicKey{"aaaaaaaaaaaaaaaa": pub})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := openKey(keys, "aaaaaaaaaaaaaaaa", key); !ok || !bytes.Equal(got, secret) {
		t.Fatal("the laptop it is sealed to cannot open it")
	}
	if _, ok := openKey(keys, "aaaaaaaaaaaaaaaa", other); ok {
		t.Fatal("another key opens it")
	}
}

// TestFoundedWorkspaceID: a new workspace's id names its founding laptop;
// an id made another way names nobody.
func TestFoundedWorkspaceID(t *testing.T) {
	id, err := FoundedWorkspaceID(testTime, "0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := founderPrefix(id); !ok || p != "0123456789abcd" {
		t.Fatalf("%s names %q %v", id, p, ok)
	}
	misread := 0
	for range 1000 {
		if _, ok := founderPrefix(WorkspaceID(NewID(testTime))); ok {
			misread++
		}
	}
	if misread > 0 {
		t.Fatalf("%d random ids read as founded", misread)
	}
}

// TestRecordIDFor: a record's id names the laptop that made it, and ids
// made in one millisecond by one laptop differ.
func TestRecordIDFor(t *testing.T) {
	seen := map[RecordID]bool{}
	for n := range uint32(5000) {
		id := RecordIDFor(testTime, "0123456789abcdef", n)
		if p, ok := creatorPrefix(id); !ok || p != "0123456789" {
			t.Fatalf("%s names %q %v", id, p, ok)
		}
		if seen[id] {
			t.Fatalf("%s made twice", id)
		}
		seen[id] = true
	}
	misread := 0
	for range 2000 {
		if _, ok := creatorPrefix(RecordID(NewID(testTime))); ok {
			misread++
		}
	}
	if misread > 2 {
		t.Fatalf("%d of 2,000 random ids read as naming a creator", misread)
	}
}
