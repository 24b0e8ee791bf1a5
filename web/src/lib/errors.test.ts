import { CombinedError } from "@urql/core";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { errorCode, errorMessage, fieldErrors, serverErrors, toServerError } from "./errors";

const refused = (message: string, extensions: Record<string, unknown>) =>
  new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions })] });

describe("serverErrors", () => {
  it("reads a GraphQL error's message, code and field", () => {
    const error = refused("Enter a valid email address", { code: "BAD_USER_INPUT", field: "email" });
    expect(serverErrors(error)).toEqual([
      { message: "Enter a valid email address", code: "BAD_USER_INPUT", field: "email", extensions: { code: "BAD_USER_INPUT", field: "email" } },
    ]);
    expect(errorMessage(error)).toBe("Enter a valid email address");
    expect(errorCode(error)).toBe("BAD_USER_INPUT");
  });

  it("says so in words when the server cannot be reached", () => {
    const error = new CombinedError({ networkError: new Error("Failed to fetch") });
    expect(errorMessage(error)).toMatch(/could not be reached/);
  });

  it("passes errors already read through, and reads a raw payload's the same way", () => {
    const own = [{ message: "Choose a file first.", field: "file" }];
    expect(serverErrors(own)).toEqual(own);
    expect(toServerError({ message: "No", extensions: { code: "FORBIDDEN" } })).toMatchObject({ message: "No", code: "FORBIDDEN" });
    expect(serverErrors(null)).toEqual([]);
  });
});

describe("fieldErrors", () => {
  it("puts a message under the input it names, and only there", () => {
    const errors = fieldErrors(refused("fast (60) must be less than slow (50)", { code: "BAD_USER_INPUT", field: "params.fast" }),
      ["name", "params.fast", "params.slow"]);
    expect(errors.field("params.fast")).toBe("fast (60) must be less than slow (50)");
    expect(errors.field("params.slow")).toBeNull();
    expect(errors.others).toEqual([]);
  });

  it("keeps for the alert what no input of the form shows", () => {
    const errors = fieldErrors([
      { message: "Not allowed", code: "FORBIDDEN" },
      { message: "The bars are not sorted", field: "bars" },
    ], ["name"]);
    expect(errors.field("name")).toBeNull();
    expect(errors.others.map((e) => e.message)).toEqual(["Not allowed", "The bars are not sorted"]);
  });

  it("shows every message about one input", () => {
    const errors = fieldErrors([{ message: "Too short.", field: "name" }, { message: "Taken.", field: "name" }], ["name"]);
    expect(errors.field("name")).toBe("Too short. Taken.");
  });

  it("is empty without an error", () => {
    const errors = fieldErrors(undefined, ["name"]);
    expect(errors.field("name")).toBeNull();
    expect(errors.others).toEqual([]);
  });
});
