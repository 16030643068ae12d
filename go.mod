module adwatch

go 1.26
