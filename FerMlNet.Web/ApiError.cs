using Microsoft.AspNetCore.WebUtilities;

namespace FerMlNet.Web;

/// <summary>A request the API refuses: the HTTP status and a message for the client (never a stack trace).</summary>
internal sealed class ApiError(int status, string message) : Exception(message)
{
    /// <summary>The media type of every error body (RFC 9457).</summary>
    public const string ProblemJson = "application/problem+json";

    public int Status { get; } = status;

    public IResult ToResult() => Results.Json(ErrorResponse.For(Status, Message), contentType: ProblemJson, statusCode: Status);

    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(ErrorResponse.For(status, message), options: null, contentType: ProblemJson);
    }
}

/// <summary>
/// The body of every 4xx/5xx answer: RFC 9457 problem details (<c>type</c>, <c>title</c>, <c>status</c>,
/// <c>detail</c>) plus <c>error</c>, the same text as <c>detail</c>, which clients of earlier versions read.
/// </summary>
/// <param name="Type">Always "about:blank": the status code says what kind of problem it is.</param>
/// <param name="Title">The status code's reason phrase ("Not Found").</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What was wrong with this request.</param>
/// <param name="Error">The same as <paramref name="Detail"/>.</param>
public sealed record ErrorResponse(string Type, string Title, int Status, string Detail, string Error)
{
    /// <summary>The problem details of a status and message.</summary>
    public static ErrorResponse For(int status, string message) =>
        new("about:blank", ReasonPhrases.GetReasonPhrase(status), status, message, message);
}
