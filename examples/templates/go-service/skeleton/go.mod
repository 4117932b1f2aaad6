module ${{ values.goModule }}

go 1.22
