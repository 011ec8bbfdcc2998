using System.Net;
using Tagflow.Webhooks;

namespace Tagflow.Tests.Automations;

/// <summary>
/// Which addresses count as global unicast, asked of the check itself: nothing here connects. The
/// refused ones follow IANA's IPv4 and IPv6 Special-Purpose Address Registries, plus multicast and
/// the IPv6 forms that carry an IPv4 address.
/// </summary>
public sealed class SpecialAddressTests
{
    [Theory]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("10.1.2.3", "private-use")]
    [InlineData("100.64.0.1", "shared address space")]
    [InlineData("100.127.255.255", "shared address space")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("172.16.0.1", "private-use")]
    [InlineData("172.31.255.255", "private-use")]
    [InlineData("192.0.0.8", "IETF protocol assignments")]
    [InlineData("192.0.0.170", "IETF protocol assignments")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("192.88.99.1", "6to4 relay")]
    [InlineData("192.168.1.1", "private-use")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.255", "documentation")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "broadcast")]
    public void AnIPv4AddressInASpecialPurposeRangeIsNotGlobal(string address, string range) => AssertNotGlobal(address, range);

    [Theory]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped")]
    [InlineData("::ffff:8.8.8.8", "IPv4-mapped")]
    [InlineData("::ffff:0:7f00:1", "IPv4-translated")]
    [InlineData("::7f00:1", "IPv4-compatible")]
    [InlineData("::808:808", "IPv4-compatible")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("64:ff9b::a00:1", "private-use")]
    [InlineData("64:ff9b:1::808:808", "local-use IPv4/IPv6 translation")]
    [InlineData("100::1", "discard-only")]
    [InlineData("100:0:0:1::1", "dummy")]
    [InlineData("2001::1", "Teredo")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo")]
    [InlineData("2001:1::1", "IETF protocol assignments")]
    [InlineData("2001:2::1", "benchmarking")]
    [InlineData("2001:10::1", "ORCHID")]
    [InlineData("2001:20::1", "ORCHIDv2")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("3fff::1", "documentation")]
    [InlineData("2002:7f00:1::", "loopback")]
    [InlineData("2002:a00:1::1", "private-use")]
    [InlineData("2002:c000:201::", "documentation")]
    [InlineData("5f00::1", "segment routing")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd00::2", "unique local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fe80::1%2", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("ff0e::1", "multicast")]
    [InlineData("4000::1", "global unicast")]
    [InlineData("1::1", "global unicast")]
    public void AnIPv6AddressInASpecialPurposeRangeIsNotGlobal(string address, string range) => AssertNotGlobal(address, range);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("9.9.9.9")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.32.0.1")]
    [InlineData("192.0.3.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2a00:1450:4001:80b::200e")]
    // The IPv6 forms of a global IPv4 address reach that address: global too.
    [InlineData("2002:808:808::1")]
    [InlineData("64:ff9b::808:808")]
    public void AGlobalUnicastAddressIsGlobal(string address) => Assert.Null(SpecialAddresses.RangeOf(IPAddress.Parse(address)));

    private static void AssertNotGlobal(string address, string range)
    {
        var found = SpecialAddresses.RangeOf(IPAddress.Parse(address));
        Assert.True(found is not null, $"{address} is taken for global unicast");
        Assert.Contains(range, found, StringComparison.Ordinal);
    }
}
