package discovery

import (
	"bytes"
	"strings"
	"testing"
)

func TestTagHidesTheWorkspace(t *testing.T) {
	ws := "01HXYZABCDEFGHJKMNPQRSTVWX"
	secret := bytes.Repeat([]byte{1}, 32)
	tag := Tag(ws, secret, 16)
	if len(tag) != 16 || strings.Contains(tag, ws) {
		t.Fatalf("tag %q", tag)
	}
	if Tag(ws, secret[:16], 16) != tag {
		t.Fatal("a member that joined with a code (16 bytes of the secret) computes another tag")
	}
	other := bytes.Repeat([]byte{2}, 32)
	if Tag(ws, other, 16) == tag || Tag("01HXYZABCDEFGHJKMNPQRSTVWY", secret, 16) == tag {
		t.Fatal("tags collide")
	}
}

func TestLocalIPs(t *testing.T) {
	if len(localIPs()) == 0 {
		t.Skip("no network interface up")
	}
}
