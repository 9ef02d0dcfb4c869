extension SessionSpec {
    /// `ibv_options`: marks an In-Branch Verification session.
    package struct IBVOptions: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }

        /// `MANDATORY` or `NOT_ALLOWED`.
        package var support: String? {
            get { self[string: "support"] }
            set { self[string: "support"] = newValue }
        }
        package var guidanceURL: String? {
            get { self[string: "guidance_url"] }
            set { self[string: "guidance_url"] = newValue }
        }
        /// `{amount, currency}`.
        package var userPrice: Price? {
            get { self[view: "user_price"] }
            set { self[view: "user_price"] = newValue }
        }

        /// A price shown to the applicant.
        package struct Price: JSONObjectView {
            package var json: JSONValue
            package init(json: JSONValue) { self.json = json }
            /// As sent: a number or a decimal string.
            package var amount: JSONValue? {
                get { self[json: "amount"] }
                set { self[json: "amount"] = newValue }
            }
            /// ISO 4217, e.g. `GBP`.
            package var currency: String? {
                get { self[string: "currency"] }
                set { self[string: "currency"] = newValue }
            }
        }
    }
}
