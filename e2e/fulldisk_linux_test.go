package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cartagena-c40/consulta/ui/desktop"
)

// TestFullDiskInTheWindow: the disk under the data directory fills while a
// delegate types; saving is refused with a clear message, the text stays in
// the form, and once space is freed the same form saves, without a restart.
// It mounts a small tmpfs, so it needs root (CI has it).
func TestFullDiskInTheWindow(t *testing.T) {
	need(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root on Linux to mount a small tmpfs (CI runs it as root)")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("consulta-e2e-full", mnt, "tmpfs", 0, "size=200m"); err != nil {
		t.Skipf("mounting a tmpfs is not allowed here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	data := filepath.Join(mnt, "data")
	cli(t, data, "init", "--title", "Cartagena +40")
	cli(t, data, "demo", "--records", "200")
	r := startApp(t, data)
	r.waitCount(200)

	filler := filepath.Join(mnt, "photos.bin")
	fill(t, filler, mnt, 20<<20) // leave 20 MB: well under what a write needs
	r.key("ctrl+n")
	note := "Las personas apátridas piden documentación en la frontera"
	r.fill(mainWin, hint("Entry", "Type the note here"), note)
	l, _ := r.wait(mainWin, text("Label", "Themes"))
	r.tick(mainWin, groupWith("Regional and sub-regional approach"), "Regional and sub-regional approach", l.X+20)
	r.key("ctrl+s")
	r.wait(mainWin, prefix("Label", "Not saved: The disk is full"))
	r.wait(mainWin, match{"Entry", func(n desktop.ProbeNode) bool { return n.Text == note }, "the text still in the form"})
	r.screenshot("disk-full")

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	r.key("ctrl+s")
	r.waitCount(201)
	r.screenshot("saved-after-space")
	r.quit()
	found := false
	for _, rec := range list(t, data, "--kind", "note") {
		found = found || rec.Body == note
	}
	if !found {
		t.Fatal("the note saved after the space came back is not in the store")
	}
	if out := cli(t, data, "check"); !strings.Contains(out, "no problems found") {
		t.Fatalf("check: %s", out)
	}
}

// fill writes a file at path until the file system at mnt has about leave
// bytes free.
func fill(t *testing.T, path, mnt string, leave int64) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	for n := int64(0); n < free-leave; n += int64(len(buf)) {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
}
