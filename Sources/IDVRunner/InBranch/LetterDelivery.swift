import Foundation

/// How the customer letter reaches the applicant.
package enum LetterDelivery: Sendable, Hashable {
    /// `GET …/instructions/pdf`, saved under the directory (``LetterStore``) for the firm's own mailer
    /// (``LetterStep``).
    case save(directory: URL)
    /// `POST …/instructions/email`: Yoti emails the letter to the contact profile's address
    /// (``RequestEmailStep``); refused for sessions subscribing to `INSTRUCTIONS_EMAIL_REQUESTED`.
    case email
}
