// Package names decides which companies a text names and which of them are
// the ad platform's advertisers.
//
// It holds the normalisation both sides share (Normalize), the table of legal
// forms across jurisdictions (StripLegalForm, IsLegalForm), a one-pass matcher
// over every advertiser alias with the judgement that tells Apple Inc. from the
// fruit (Matcher), and a finder for every business a text names
// (FindCompanies).
//
// It is pure: strings in, matches out. It must not do I/O, talk to a database
// or the network, or log; callers own all of that. Every offset it returns is a
// byte offset into the caller's original text, never into normalised text.
package names
