using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Tagflow.Delivery;
using Tagflow.Tests.Cli;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Delivery;

/// <summary>DKIM: a key made with <c>tagflow dkim new</c>, and mail through the SMTP relay signed with it, checked as a receiver would, against the printed DNS record.</summary>
[Collection(AdminCli.Collection)]
public sealed partial class DkimTests
{
    [Fact]
    public async Task MailFromADomainWithAKeyIsSignedAndVerifiesAgainstThePrintedRecordAndOtherMailIsNot()
    {
        await using var cliDb = await TestDatabase.CreateAsync(Providers.Sqlite);
        var keys = Path.Combine(cliDb.Directory, "keys");
        var made = await AdminCli.RunAsync(cliDb, "dkim", "new", "Example.COM", "--dkim-dir", keys);
        Assert.Equal((0, ""), (made.ExitCode, made.Error));
        var record = RecordLine().Match(made.Output);
        Assert.True(record.Success, made.Output);
        Assert.Equal("tagflow._domainkey.example.com", record.Groups["name"].Value);
        var key = Path.Combine(keys, "tagflow._domainkey.example.com.pem");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));

        var listed = await AdminCli.RunAsync(cliDb, "dkim", "list", "--dkim-dir", keys);
        Assert.Equal((0, record.Value + "\n", ""), (listed.ExitCode, listed.Output, listed.Error));
        var again = await AdminCli.RunAsync(cliDb, "dkim", "new", "example.com", "--dkim-dir", keys);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("exists already", again.Error, StringComparison.Ordinal);
        var bad = await AdminCli.RunAsync(cliDb, "dkim", "new", "exa mple.com", "--dkim-dir", keys);
        Assert.Equal((1, ""), (bad.ExitCode, bad.Output));
        Assert.Equal(["tagflow._domainkey.example.com.pem"], Directory.EnumerateFiles(keys).Select(Path.GetFileName));

        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()), DkimDirectory = keys });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var signedTag = await CreateTagAsync(client, "News");
        var unsignedTag = await CreateTagAsync(client, "Partner");
        await CreateCampaignAsync(client, Campaign("News", signedTag, "news@example.com"));
        await CreateCampaignAsync(client, Campaign("Partner", unsignedTag, "hello@example.org"));
        await SubscribeAsync(client, "bert@example.net", list, signedTag);
        var signed = await smtp.ReceiveAsync();
        await SubscribeAsync(client, "carl@example.net", list, unsignedTag);
        var unsigned = await smtp.ReceiveAsync();

        var signature = signed.Headers[signed.Headers.IndexOf(HeaderId.DkimSignature)];
        Assert.Contains("d=example.com", signature.Value, StringComparison.Ordinal);
        Assert.Contains("s=tagflow", signature.Value, StringComparison.Ordinal);
        var signedHeaders = Regex.Match(Regex.Replace(signature.Value, @"\s+", ""), "h=([^;]+)").Groups[1].Value.ToLowerInvariant().Split(':');
        foreach (var header in new[] { "from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post" })
            Assert.Contains(header, signedHeaders);
        var verifier = new DkimVerifier(new PublishedRecord("tagflow._domainkey.example.com", record.Groups["value"].Value));
        Assert.True(await verifier.VerifyAsync(signed, signature));

        // What a receiver would see if anything signed were changed on the way: the signature no longer holds.
        signed.Subject += " (changed)";
        Assert.False(await verifier.VerifyAsync(signed, signature));
        Assert.Equal(-1, unsigned.Headers.IndexOf(HeaderId.DkimSignature)); // example.org has no key
    }

    private static object Campaign(string name, long tag, string sender) => new
    {
        name,
        tagid = tag,
        senderaddress = sender,
        steps = new object[] { new { type = "email", subject = name, text = "Hello {{email}}, see https://example.com/a." } },
    };

    /// <summary>What DNS would answer for the one record published: the TXT value printed by <c>tagflow dkim new</c>.</summary>
    private sealed class PublishedRecord(string name, string txt) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            $"{selector}._domainkey.{domain}" == name ? GetPublicKey(txt) : throw new InvalidOperationException($"No record at {selector}._domainkey.{domain}.");

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }

    [GeneratedRegex("""^(?<name>\S+)\. IN TXT "(?<value>v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+)"$""", RegexOptions.Multiline)]
    private static partial Regex RecordLine();
}
