using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TunnelGuard.IntegrationTests.Infrastructure;
using TunnelGuard.Lab.Tunnels;
using Xunit.Abstractions;

namespace TunnelGuard.IntegrationTests.Tunnels;

/// <summary>Bytes through -L, -R and -D of <see cref="SshTunnelClient"/> against a real sshd arrive intact both ways.</summary>
[Collection(SshLabCollection.Name)]
public sealed class SshTunnelClientForwardingTests(SshLab lab, ITestOutputHelper output)
{
    private const long FourMiB = 4L * 1024 * 1024;
    private const long OneMiB = 1024 * 1024;
    private const int ConcurrentChannels = 8;

    [Fact]
    public async Task LocalForward_CarriesBytesIntact_BothDirections()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var service = new ExchangeServer(SshLab.RootAddress, FourMiB);
        using var tunnel = new SshTunnelClient(lab.Options(ForwardSpec.Parse(ForwardKind.Local, $"0:{service.EndPoint}")));
        var forward = Assert.Single(tunnel.Start());
        Assert.NotEqual(0, forward.BoundPort);

        var client = await ExchangeThroughAsync(new IPEndPoint(IPAddress.Loopback, forward.BoundPort), null, FourMiB, timeout.Token);

        await AssertIntactAsync(service, [client], SshLab.ServerAddress);
    }

    [Fact]
    public async Task LocalForward_ManyConcurrentChannels_AllCarryBytesIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var service = new ExchangeServer(SshLab.RootAddress, OneMiB);
        using var tunnel = new SshTunnelClient(lab.Options(ForwardSpec.Parse(ForwardKind.Local, $"127.0.0.1:0:{service.EndPoint}")));
        var forward = Assert.Single(tunnel.Start());
        var entry = new IPEndPoint(IPAddress.Loopback, forward.BoundPort);

        var clients = await Task.WhenAll(Enumerable.Range(0, ConcurrentChannels).Select(_ => ExchangeThroughAsync(entry, null, OneMiB, timeout.Token)));

        await AssertIntactAsync(service, clients, SshLab.ServerAddress);
    }

    [Fact]
    public async Task RemoteForward_CarriesBytesIntact_BothDirections()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var service = new ExchangeServer(IPAddress.Loopback, FourMiB);
        var remotePort = FreeRemotePort();
        using var tunnel = new SshTunnelClient(lab.Options(ForwardSpec.Parse(ForwardKind.Remote, $"{SshLab.ServerAddress}:{remotePort}:{service.EndPoint}")));
        var forward = Assert.Single(tunnel.Start());
        Assert.Equal(remotePort, forward.BoundPort);

        var client = await ExchangeThroughAsync(new IPEndPoint(SshLab.ServerAddress, remotePort), null, FourMiB, timeout.Token);

        await AssertIntactAsync(service, [client], IPAddress.Loopback);
    }

    [Fact]
    public async Task RemoteForward_ManyConcurrentChannels_AllCarryBytesIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var service = new ExchangeServer(IPAddress.Loopback, OneMiB);
        var remotePort = FreeRemotePort();
        using var tunnel = new SshTunnelClient(lab.Options(ForwardSpec.Parse(ForwardKind.Remote, $"{SshLab.ServerAddress}:{remotePort}:{service.EndPoint}")));
        tunnel.Start();
        var entry = new IPEndPoint(SshLab.ServerAddress, remotePort);

        var clock = Stopwatch.StartNew();
        var clients = await Task.WhenAll(Enumerable.Range(0, ConcurrentChannels).Select(_ => ExchangeThroughAsync(entry, null, OneMiB, timeout.Token)));
        output.WriteLine($"{ConcurrentChannels} concurrent -R channels of 1 MiB each way: {clock.ElapsedMilliseconds} ms");

        await AssertIntactAsync(service, clients, IPAddress.Loopback);
    }

    [Fact]
    public async Task RemoteForward_SixtyFourConcurrentChannels_AllOpenAndCarryBytesIntact()
    {
        // SSH.NET holds about two pool threads per open -R channel; with the pool's default minimum this many hung.
        const int channels = 64;
        const long bytes = 64 * 1024;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var service = new ExchangeServer(IPAddress.Loopback, bytes);
        var remotePort = FreeRemotePort();
        using var tunnel = new SshTunnelClient(lab.Options(ForwardSpec.Parse(ForwardKind.Remote, $"{SshLab.ServerAddress}:{remotePort}:{service.EndPoint}")));
        tunnel.Start();
        var entry = new IPEndPoint(SshLab.ServerAddress, remotePort);

        var clock = Stopwatch.StartNew();
        var clients = await Task.WhenAll(Enumerable.Range(0, channels).Select(_ => ExchangeThroughAsync(entry, null, bytes, timeout.Token)));
        output.WriteLine($"{channels} concurrent -R channels of 64 KiB each way: {clock.ElapsedMilliseconds} ms");

        await AssertIntactAsync(service, clients, IPAddress.Loopback);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task DynamicForward_Socks_CarriesBytesIntact_BothDirections(int socksVersion)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var service = new ExchangeServer(SshLab.RootAddress, FourMiB);
        using var tunnel = new SshTunnelClient(lab.Options(ForwardSpec.Parse(ForwardKind.Dynamic, "0")));
        var forward = Assert.Single(tunnel.Start());

        var client = await ExchangeThroughAsync(new IPEndPoint(IPAddress.Loopback, forward.BoundPort), (socksVersion, service.EndPoint), FourMiB, timeout.Token);

        await AssertIntactAsync(service, [client], SshLab.ServerAddress);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task DynamicForward_SocksByHostName_ServerResolvesAndCarriesBytesIntact(int socksVersion)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var service = new ExchangeServer(SshLab.RootAddress, OneMiB);
        using var tunnel = new SshTunnelClient(lab.Options(ForwardSpec.Parse(ForwardKind.Dynamic, "0")));
        var forward = Assert.Single(tunnel.Start());

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, forward.BoundPort, timeout.Token);
        var stream = client.GetStream();
        var name = service.EndPoint.Address.ToString();
        if (socksVersion == 5)
        {
            await SocksClient.ConnectSocks5ByNameAsync(stream, name, service.EndPoint.Port, timeout.Token);
        }
        else
        {
            await SocksClient.ConnectSocks4aAsync(stream, name, service.EndPoint.Port, timeout.Token);
        }

        var result = await ByteExchange.ConnectSideAsync(stream, OneMiB, timeout.Token);

        await AssertIntactAsync(service, [result], SshLab.ServerAddress);
    }

    [Fact]
    public async Task DynamicForward_ManyConcurrentSocks5Channels_AllCarryBytesIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var service = new ExchangeServer(SshLab.RootAddress, OneMiB);
        using var tunnel = new SshTunnelClient(lab.Options(ForwardSpec.Parse(ForwardKind.Dynamic, "127.0.0.1:0")));
        var forward = Assert.Single(tunnel.Start());
        var entry = new IPEndPoint(IPAddress.Loopback, forward.BoundPort);

        var clients = await Task.WhenAll(Enumerable.Range(0, ConcurrentChannels).Select(_ => ExchangeThroughAsync(entry, (5, service.EndPoint), OneMiB, timeout.Token)));

        await AssertIntactAsync(service, clients, SshLab.ServerAddress);
    }

    [Fact]
    public async Task AllThreeKinds_OnOneConnection_CarryBytesIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var viaServer = new ExchangeServer(SshLab.RootAddress, OneMiB);
        await using var viaClient = new ExchangeServer(IPAddress.Loopback, OneMiB);
        var remotePort = FreeRemotePort();
        using var tunnel = new SshTunnelClient(lab.Options(
            ForwardSpec.Parse(ForwardKind.Local, $"0:{viaServer.EndPoint}"),
            ForwardSpec.Parse(ForwardKind.Remote, $"{SshLab.ServerAddress}:{remotePort}:{viaClient.EndPoint}"),
            ForwardSpec.Parse(ForwardKind.Dynamic, "0")));
        var forwards = tunnel.Start();
        Assert.Equal([ForwardKind.Local, ForwardKind.Remote, ForwardKind.Dynamic], forwards.Select(f => f.Spec.Kind));

        var local = ExchangeThroughAsync(new IPEndPoint(IPAddress.Loopback, forwards[0].BoundPort), null, OneMiB, timeout.Token);
        var remote = ExchangeThroughAsync(new IPEndPoint(SshLab.ServerAddress, remotePort), null, OneMiB, timeout.Token);
        var dynamic = ExchangeThroughAsync(new IPEndPoint(IPAddress.Loopback, forwards[2].BoundPort), (5, viaServer.EndPoint), OneMiB, timeout.Token);
        await Task.WhenAll(local, remote, dynamic);

        await AssertIntactAsync(viaServer, [await local, await dynamic], SshLab.ServerAddress);
        await AssertIntactAsync(viaClient, [await remote], IPAddress.Loopback);
    }

    [Fact]
    public async Task LocalForward_ToClosedPort_EndsClientConnectionAndTunnelStaysUsable()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var service = new ExchangeServer(SshLab.RootAddress, OneMiB);
        var closedPort = FreeRootPort();
        using var tunnel = new SshTunnelClient(lab.Options(
            ForwardSpec.Parse(ForwardKind.Local, $"0:{SshLab.RootAddress}:{closedPort}"),
            ForwardSpec.Parse(ForwardKind.Local, $"0:{service.EndPoint}")));
        var forwards = tunnel.Start();

        using (var refused = new TcpClient())
        {
            await refused.ConnectAsync(IPAddress.Loopback, forwards[0].BoundPort, timeout.Token);
            var stream = refused.GetStream();
            await stream.WriteAsync("hello"u8.ToArray(), timeout.Token);

            // SSH.NET accepts locally first; the server's channel-open failure shows only as EOF (or a reset).
            var read = await ReadOrResetAsync(stream, timeout.Token);
            Assert.Equal(0, read);
        }

        var client = await ExchangeThroughAsync(new IPEndPoint(IPAddress.Loopback, forwards[1].BoundPort), null, OneMiB, timeout.Token);
        await AssertIntactAsync(service, [client], SshLab.ServerAddress);
        Assert.False(tunnel.ConnectionLost.IsCompleted);
    }

    private static async Task<int> ReadOrResetAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(new byte[16], cancellationToken);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task<(ExchangeResult Result, string PeerReported)> ExchangeThroughAsync(
        IPEndPoint entry, (int Version, IPEndPoint Target)? socks, long bytes, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(entry, cancellationToken);
        var stream = client.GetStream();
        if (socks is { Version: 5 } s5)
        {
            await SocksClient.ConnectSocks5Async(stream, s5.Target, cancellationToken);
        }
        else if (socks is { } s4)
        {
            await SocksClient.ConnectSocks4Async(stream, s4.Target, cancellationToken);
        }

        return await ByteExchange.ConnectSideAsync(stream, bytes, cancellationToken);
    }

    private static async Task AssertIntactAsync(ExchangeServer service, (ExchangeResult Result, string PeerReported)[] clients, IPAddress expectedPeer)
    {
        await service.WaitForResultsAsync(clients.Length, TimeSpan.FromSeconds(30));
        Assert.Empty(service.Errors);
        foreach (var (result, peerReported) in clients)
        {
            // Client → service: the service hashed exactly what the client sent.
            Assert.Equal(result.SentSha256, peerReported);

            // Service → client: one service-side exchange sent exactly what this client received.
            var match = Assert.Single(service.Results, r => r.Result.ReceivedSha256 == result.SentSha256);
            Assert.Equal(match.Result.SentSha256, result.ReceivedSha256);
            Assert.Equal(match.Result.SentBytes, result.ReceivedBytes);
            Assert.Equal(result.SentBytes, match.Result.ReceivedBytes);

            // The connection reached the service from the far end of the tunnel, not directly from the test.
            Assert.Equal(expectedPeer, match.Peer.Address.IsIPv4MappedToIPv6 ? match.Peer.Address.MapToIPv4() : match.Peer.Address);
        }
    }

    // The server namespace is empty apart from sshd, so any high port is free there; pick one at random.
    private static int FreeRemotePort() => Random.Shared.Next(20_000, 30_000);

    private static int FreeRootPort()
    {
        using var probe = new TcpListener(SshLab.RootAddress, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
