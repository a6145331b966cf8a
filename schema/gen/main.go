// Command gen writes schema/baseline.schema.json (make schema). Run it from
// the repository's top directory.
package main

import (
	"fmt"
	"os"

	"github.com/secure-baseline/cdk-baseline/schema"
)

func main() {
	data, err := schema.Generate(".")
	if err == nil {
		err = os.WriteFile(schema.File, data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s (%d bytes)\n", schema.File, len(data))
}
