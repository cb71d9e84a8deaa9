module example.com/wiringfixed

go 1.26.0
