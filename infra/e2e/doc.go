// Package e2e holds the end-to-end tests: they start the whole platform on
// this machine (devserver: PostgreSQL, the functions under the local Lambda
// runtime, the gateway serving web/dist) and drive it from outside, the
// dashboard through headless Chromium.
//
// They need what a user's machine has: the built dashboard (npm ci and
// npm run build in web/), Node.js and Debian's chromium. A missing piece
// fails the test with the command that provides it; it never skips, so a
// green run always means the browser test ran.
package e2e
