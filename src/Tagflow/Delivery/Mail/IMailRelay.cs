using MimeKit;

namespace Tagflow.Delivery;

/// <summary>Hands a message to whatever delivers Tagflow's mail.</summary>
internal interface IMailRelay
{
    /// <summary>What the start-up message says about where mail goes.</summary>
    string Description { get; }

    /// <summary>Returns once the relay has accepted the message; throws <see cref="MailNotSentException"/> if it has not.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the relay that messages were stored for delivery (<see cref="OutboxMail"/> rows, added to
    /// a change with <see cref="OutboxRelay.Prepare"/>) and committed: it delivers them in the
    /// background, in the order they were stored, and deletes each row once delivered. A write
    /// committed through <see cref="Data.Writes"/> tells the relay by itself (<see cref="Data.ICommitListener"/>).
    /// </summary>
    void Wake();
}

/// <summary>The relay refused a message, or could not be reached in time; the message is not sent.</summary>
internal sealed class MailNotSentException(string message, Exception? inner = null) : Exception(message, inner);
