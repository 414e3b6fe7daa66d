# Multi-stage build of the `tunnelguard` command.
#   docker build -t tunnelguard .
#   docker run --rm --net=host --cap-add NET_RAW --cap-add NET_ADMIN tunnelguard monitor -i eth0
#   docker run --rm -v "$PWD/pcaps:/pcaps:ro" tunnelguard replay /pcaps --format jsonl
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/TunnelGuard.Cli -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 nftables iptables ipset \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
COPY rules /app/rules
ENTRYPOINT ["dotnet", "/app/tunnelguard.dll"]
CMD ["--help"]
