package buildinfo

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// The FyneApp.toml beside main.go, which main embeds, names a version.
func TestParseFyneAppTOML(t *testing.T) {
	b, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	i, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if i.Name != "Consulta" || i.Version == "" || i.Build < 1 {
		t.Errorf("FyneApp.toml gives %+v", i)
	}
	if _, err := Parse([]byte("[Details]\nName = \"X\"\n")); err == nil {
		t.Error("a FyneApp.toml without a version was accepted")
	}
	if i := Read([]byte("not toml [")); i.Version != "unknown" {
		t.Errorf("Read of a broken FyneApp.toml: %+v", i)
	}
}

func TestString(t *testing.T) {
	base := Info{Name: "Consulta", Version: "0.1.0", Build: 3}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
		{Key: "GOOS", Value: "windows"}, {Key: "GOARCH", Value: "amd64"},
		{Key: "vcs.revision", Value: "2563859ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6"},
		{Key: "vcs.time", Value: "2026-12-06T06:40:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	cases := []struct {
		in   Info
		want string
	}{
		{base.with(bi), "Consulta 0.1.0 (build 3), revision 2563859ab1c2 (modified) of 2026-12-06T06:40:00Z, go1.26.8 windows/amd64"},
		{Info{Name: "Consulta", Version: "0.1.0", GoVersion: "go1.26.8", Platform: "linux/amd64"}, "Consulta 0.1.0, revision unknown, go1.26.8 linux/amd64"},
		{Info{}, "Consulta unknown, revision unknown"},
	}
	for _, c := range cases {
		if got := c.in.String(); got != c.want {
			t.Errorf("String() = %q\n          want %q", got, c.want)
		}
	}
	// Without build info (a test binary has little), Go's own version stays.
	if i := base.with(nil); !strings.HasPrefix(i.GoVersion, "go") || !strings.Contains(i.Platform, "/") {
		t.Errorf("with(nil) = %+v", i)
	}
}
