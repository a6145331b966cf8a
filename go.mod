module github.com/secure-baseline/cdk-baseline

go 1.25.0

require github.com/goccy/go-yaml v1.18.0 // indirect
