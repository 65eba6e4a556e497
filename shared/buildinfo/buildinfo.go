// Package buildinfo carries the version stamped into binaries at link time
// (-ldflags "-X github.com/opsight/opsight/shared/buildinfo.Version=...").
// Builds use -trimpath and Lambda zips carry no .git, so the linker is the
// one reliable place to learn what is running.
package buildinfo

import "runtime"

var (
	// Version is the release or `git describe` output; "dev" when unset.
	Version = "dev"
	// Commit is the full git commit hash.
	Commit = ""
	// Date is the build time, RFC3339.
	Date = ""
)

// Info is what /api/v1/version reports.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Date    string `json:"built_at,omitempty"`
	Go      string `json:"go"`
}

// Get returns the build's information.
func Get() Info {
	return Info{Version: Version, Commit: Commit, Date: Date, Go: runtime.Version()}
}
