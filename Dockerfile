# Build a static adwatch binary, then ship it alone, as a non-root user.
# PDF text is extracted in pure Go (WebAssembly) and time zones are embedded
# (time/tzdata), so the image needs nothing but CA certificates.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/adwatch ./cmd/adwatch

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/adwatch /adwatch
USER 65532:65532
EXPOSE 8080
ENV ADWATCH_LISTEN=0.0.0.0:8080
ENTRYPOINT ["/adwatch"]
CMD ["serve"]
