module example.com/churnyapp

go 1.26
