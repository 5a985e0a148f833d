# expect: DD-BI-006
# guide: "The runtime image does not contain npm, build tools, source code"
FROM golang:1.22-alpine@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
WORKDIR /src
COPY main.go ./
RUN go build -o /app .
USER 1000
ENTRYPOINT ["/app"]
