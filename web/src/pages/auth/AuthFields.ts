import { graphql } from "../../gql";

export const AuthPayloadFields = graphql(`
  fragment AuthPayloadFields on AuthPayload {
    accessToken refreshToken expiresAt user { id email fullName role }
  }
`);
