// Package constructstest holds the tests and examples of every construct
// package under constructs/, in one external test package.
//
// One package, not one per construct: each Go test binary that builds CDK
// constructs starts its own Node process for jsii and links the CDK's Go
// bindings. Measured on the 2-core build machine (see the README, "Use the
// constructs in your own app"), one binary for all constructs costs that
// start-up once.
//
// Every construct is built in a bare awscdk.NewApp(nil): no cdk.json
// context, no feature flags. A construct that works only under this repo's
// flags is not a library.
package constructstest
