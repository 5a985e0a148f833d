# Best: distroless static, built in a separate stage.
FROM golang:1.22-alpine@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12@sha256:5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e
COPY --from=build /out/app /app
USER 65532:65532
HEALTHCHECK CMD ["/app", "-healthcheck"]
ENTRYPOINT ["/app"]
