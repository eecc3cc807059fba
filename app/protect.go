package app

import (
	"fmt"
	"io"
	"time"
)

// CheckReport is what a store's check found. A store in good order has no
// Problems.
type CheckReport struct {
	Operations int      `json:"operations"`
	Devices    int      `json:"devices"`
	Signatures int      `json:"signatures_checked"`
	Records    int      `json:"records"`
	Problems   []string `json:"problems"`
}

// maxProblems bounds a report: past it, only that there are more.
const maxProblems = 200

// Problem adds a problem to the report.
func (c *CheckReport) Problem(format string, a ...any) {
	if len(c.Problems) < maxProblems {
		c.Problems = append(c.Problems, fmt.Sprintf(format, a...))
	} else if len(c.Problems) == maxProblems {
		c.Problems = append(c.Problems, "… more problems not listed")
	}
}

// Maintainer is what a store offers for backups and checks. Package
// storage implements it.
type Maintainer interface {
	// Backup writes a consistent backup to w, encrypted under pass if set.
	Backup(w io.Writer, pass []byte) error
	// Check verifies operations, records and indexes.
	Check() (*CheckReport, error)
}

// DataDirs is what is done to a data directory while no store has it open:
// protecting it with a passphrase or changing that passphrase, and
// restoring a backup into a new one. Package storage implements it
// (storage.DataDirs); main hands it to the ui, which does not import
// storage.
type DataDirs interface {
	// IsProtected reports whether dir is protected by a passphrase.
	IsProtected(dir string) bool
	// Protect encrypts the unprotected store in dir under pass; progress,
	// when not nil, is told each step.
	Protect(dir string, pass []byte, progress func(string)) error
	// ChangePassphrase changes the passphrase of the protected store in
	// dir from old to new.
	ChangePassphrase(dir string, old, new []byte) error
	// Restore recreates in dir, which must be empty or not exist, the
	// store the backup read from r holds (pass: an encrypted backup's
	// passphrase).
	Restore(dir string, r io.Reader, pass []byte) error
}

// SettingLastBackup holds when this laptop last made a backup (RFC 3339).
const SettingLastBackup = "last-backup"

func (s *Service) maintainer(op string) (Maintainer, error) {
	m, ok := s.store.(Maintainer)
	if !ok {
		return nil, &Error{Op: op, Msg: "this store cannot do that"}
	}
	return m, nil
}

// Backup writes a backup of the whole data directory to w (encrypted under
// pass when set) and notes when, for the reminder.
func (s *Service) Backup(w io.Writer, pass []byte) error {
	m, err := s.maintainer("backup")
	if err != nil {
		return err
	}
	return m.Backup(w, pass)
}

// BackupDone notes that a backup was written whole.
func (s *Service) BackupDone(at time.Time) error {
	return s.SetSetting(SettingLastBackup, at.UTC().Format(time.RFC3339))
}

// LastBackup is when this laptop last made a backup; zero if never.
func (s *Service) LastBackup() time.Time {
	t, _ := time.Parse(time.RFC3339, s.Setting(SettingLastBackup))
	return t
}

// Check verifies the store.
func (s *Service) Check() (*CheckReport, error) {
	m, err := s.maintainer("check")
	if err != nil {
		return nil, err
	}
	return m.Check()
}
