// Package archtest checks rules of the code base that no single package
// can check for itself: the import rules, and that no runtime code names
// the bundled example data.
package archtest

// root is the repository root (this package is internal/archtest).
const root = "../.."
