package main
import (_ "github.com/spf13/cobra"; _ "golang.org/x/term"; _ "github.com/schollz/progressbar/v3"; _ "github.com/dustin/go-humanize")
func main(){}
