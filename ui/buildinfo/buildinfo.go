// Package buildinfo names the build of Consulta that is running: the
// version and build number of FyneApp.toml (the ones the Windows binary's
// resources and the packages' file names carry), the source revision Go
// stamped into the binary, and the Go that built it. `consulta version`
// prints it, and the desktop app's Help > About shows it.
//
//	//go:embed FyneApp.toml
//	var fyneApp []byte
//	fmt.Println(buildinfo.Read(fyneApp))
//	// Consulta 0.1.0 (build 1), revision 2563859ab1c2, go1.26.8 windows/amd64
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/BurntSushi/toml"
)

// Info is what names a build.
type Info struct {
	Name      string `json:"name"`               // FyneApp.toml's Details.Name
	Version   string `json:"version"`            // Details.Version, "0.1.0"
	Build     int    `json:"build"`              // Details.Build
	Revision  string `json:"revision,omitempty"` // the VCS revision; "" when the build was not stamped
	Time      string `json:"time,omitempty"`     // the revision's commit time
	Modified  bool   `json:"modified,omitempty"` // built from a work tree with uncommitted changes
	GoVersion string `json:"go"`
	Platform  string `json:"platform"` // GOOS/GOARCH
}

// stampedRevision and stampedModified are set by the Makefile with -ldflags
// -X, from git, for builds Go does not stamp itself: Go finds no
// repository in a git worktree (its .git is a file) or with
// -buildvcs=false. Go's own stamp, where there is one, wins.
var stampedRevision, stampedModified string

// fyneApp is the part of FyneApp.toml read here.
type fyneApp struct {
	Details struct {
		Name    string
		ID      string
		Version string
		Build   int
	}
}

// Parse reads the name, version and build of a FyneApp.toml.
func Parse(fyneAppTOML []byte) (Info, error) {
	var f fyneApp
	if err := toml.Unmarshal(fyneAppTOML, &f); err != nil {
		return Info{}, fmt.Errorf("FyneApp.toml: %w", err)
	}
	if f.Details.Version == "" {
		return Info{}, fmt.Errorf("FyneApp.toml: no Details.Version")
	}
	return Info{Name: f.Details.Name, Version: f.Details.Version, Build: f.Details.Build}, nil
}

// Read is Parse of fyneAppTOML with what the running binary knows of its
// own build (runtime/debug.ReadBuildInfo). A FyneApp.toml it cannot read
// leaves the version "unknown" rather than stopping the program.
func Read(fyneAppTOML []byte) Info {
	i, err := Parse(fyneAppTOML)
	if err != nil {
		i = Info{Name: "Consulta", Version: "unknown"}
	}
	bi, _ := debug.ReadBuildInfo()
	i = i.with(bi)
	if i.Revision == "" && stampedRevision != "" {
		i.Revision, i.Modified = stampedRevision, stampedModified == "true"
	}
	return i
}

// with adds the revision and Go version of bi (nil: none known).
func (i Info) with(bi *debug.BuildInfo) Info {
	i.GoVersion, i.Platform = runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH
	if bi == nil {
		return i
	}
	if bi.GoVersion != "" {
		i.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.time":
			i.Time = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		case "GOOS":
			i.Platform = s.Value + i.Platform[strings.Index(i.Platform, "/"):]
		case "GOARCH":
			i.Platform = i.Platform[:strings.Index(i.Platform, "/")+1] + s.Value
		}
	}
	return i
}

// String is one line naming the build, as `consulta version` prints it:
// "Consulta 0.1.0 (build 1), revision 2563859ab1c2 (modified) of
// 2026-12-06T06:40:00Z, go1.26.8 linux/amd64".
func (i Info) String() string {
	name, version := i.Name, i.Version
	if name == "" {
		name = "Consulta"
	}
	if version == "" {
		version = "unknown"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", name, version)
	if i.Build > 0 {
		fmt.Fprintf(&b, " (build %d)", i.Build)
	}
	if i.Revision == "" {
		b.WriteString(", revision unknown")
	} else {
		fmt.Fprintf(&b, ", revision %.12s", i.Revision)
		if i.Modified {
			b.WriteString(" (modified)")
		}
		if i.Time != "" {
			fmt.Fprintf(&b, " of %s", i.Time)
		}
	}
	if i.GoVersion != "" {
		fmt.Fprintf(&b, ", %s", i.GoVersion)
	}
	if i.Platform != "" {
		fmt.Fprintf(&b, " %s", i.Platform)
	}
	return b.String()
}
