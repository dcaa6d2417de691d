package main

import (
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/sfn"
	_ "github.com/aws/aws-sdk-go-v2/service/sqs"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/olekukonko/tablewriter"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "github.com/HdrHistogram/hdrhistogram-go"
	_ "golang.org/x/time/rate"
	_ "golang.org/x/term"
	_ "github.com/google/go-cmp/cmp"
	_ "pgregory.net/rapid"
	_ "github.com/brianvoe/gofakeit/v7"
)

func main() {}
