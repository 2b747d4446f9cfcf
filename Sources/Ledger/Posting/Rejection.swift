/// Why a post was refused. Codes are stable names that scripts can rely on; they are listed in
/// the order the validation ladder checks them (the first failing rung is reported).
public enum RejectionCode: String, CaseIterable, Sendable {
    case missingField = "missing_field"
    case unknownField = "unknown_field"
    case malformedField = "malformed_field"
    case malformedDate = "malformed_date"
    case malformedCode = "malformed_code"
    case unknownCode = "unknown_code"
    case malformedAmount = "malformed_amount"
    case tooManyDecimals = "too_many_decimals"
    case amountOverflow = "amount_overflow"
    case amountNotPositive = "amount_not_positive"
    case projectMismatch = "project_mismatch"
    case idConflict = "id_conflict"
    /// The clock is behind the journal's last recorded time: recorded times never go backwards.
    case clockBehind = "clock_behind"
    // Access (after identity, before the journal's figures): who may do this.
    case signatureRequired = "signature_required"
    case wrongKey = "wrong_key"
    case unknownActor = "unknown_actor"
    case actorRevoked = "actor_revoked"
    case missingRole = "missing_role"
    case batchActor = "batch_actor"
    case actorExists = "actor_exists"
    /// A public key belongs to one actor for ever (also after that actor's revocation).
    case keyInUse = "key_in_use"
    /// While fewer admins are registered than the threshold, an actor change may only add an admin.
    case belowThreshold = "below_threshold"
    case lastAdmin = "last_admin"
    case approvalFlag = "approval_flag"
    case notPending = "not_pending"
    case selfApproval = "self_approval"
    /// The same admin approving one change of actors twice: k signatures are k distinct admins.
    case alreadyApproved = "already_approved"
    case pendingTarget = "pending_target"
    case pendingItems = "pending_items"
    case notInitialised = "not_initialised"
    case alreadyInitialised = "already_initialised"
    case yearAlreadyOpen = "year_already_open"
    case yearNotOpen = "year_not_open"
    case yearClosed = "year_closed"
    case yearNotClosed = "year_not_closed"
    case closeOutOfOrder = "close_out_of_order"
    case closeMismatch = "close_mismatch"
    case unknownEvent = "unknown_event"
    case invalidTarget = "invalid_target"
    case exceedsTarget = "exceeds_target"
    case alreadyHeld = "already_held"
    case notHeld = "not_held"
    case unknownProject = "unknown_project"
    case unknownIndicator = "unknown_indicator"
    case duplicateIndicator = "duplicate_indicator"
    case insufficientBudget = "insufficient_budget"
}

public struct Rejection: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: RejectionCode
    public let field: String?
    public let message: String

    public init(_ code: RejectionCode, field: String?, _ message: String) {
        self.code = code; self.field = field; self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
